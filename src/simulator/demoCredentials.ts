/**
 * The credentials a simulator accepts unless told otherwise. They are public on purpose: the
 * README and `--help` print them so that anyone can try the gateway without a OneLogin tenant.
 * The shapes follow the live service: 64-character lowercase client id and secret, and a
 * 40-character hexadecimal legacy API key.
 */
export const DEMO_CREDENTIALS: { clientId: string; clientSecret: string; apiKey: string } =
  Object.freeze({
    clientId: '3f4147986e1e10a66492be2bc2d149047ac822ea3730fd2db9c1b4343a2f523f',
    clientSecret: 'ecee9954cefe0ffb4e32120ea8f00a8481b4514b160747c14268c0f423aad522',
    apiKey: '5d8bb32d7a3d5f778be92764041d3c241b050487',
  });
