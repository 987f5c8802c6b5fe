/**
 * The sample requests and responses of the source documents, copied from
 * `../shared/onelogin/seeds/` and API.md (which quotes the token, event-type and rate-limit
 * pages). Only the elisions (`...`) are removed.
 */

/** API.md §2.1, "Generate Tokens v2" response. */
export const TOKEN_SAMPLE = {
  access_token: 'xx508xx63817x752xx74004x30705xx92x58349x5x78f5xx34xxxxx51',
  created_at: '2015-11-11T03:36:18.714Z',
  expires_in: 36000,
  refresh_token: 'deprecated',
  token_type: 'bearer',
  account_id: 555555,
};

/** Seed 001 (Get Events), 200 OK sample: the envelope and its two events. */
export const GET_EVENTS_SAMPLE = {
  status: { error: false, code: 200, type: 'success', message: 'Success' },
  pagination: {
    before_cursor: null,
    after_cursor: 'xWNjb3VudF9pZDo6OjUzNDEzLS0jI2lkOjo6OTA0MjU3NTQ2',
    previous_link: null,
    next_link:
      'https://subdomain.onelogin.com/api/1/events?after_cursor=xWNjb3VudF9pZDo6OjUzNDEzLS0jI2lkOjo6OTA0MjU3NTQ2',
  },
  data: [
    {
      id: 999999999,
      created_at: '2014-12-19T02:02:39.276Z',
      account_id: 55555,
      user_id: 88888888,
      event_type_id: 13,
      notes: null,
      ipaddr: '11.111.11.111',
      actor_user_id: 7777777,
      assuming_acting_user_id: null,
      role_id: null,
      app_id: null,
      group_id: null,
      otp_device_id: null,
      policy_id: null,
      actor_system: '',
      custom_message: null,
      role_name: null,
      app_name: null,
      group_name: null,
      actor_user_name: 'Xavier Wong',
      user_name: 'Xavier Wong',
      policy_name: null,
      otp_device_name: null,
      operation_name: null,
      directory_sync_run_id: null,
      directory_id: null,
      resolution: null,
      client_id: null,
      resource_type_id: null,
      error_description: null,
      proxy_ip: null,
      risk_score: null,
      risk_reasons: null,
      risk_cookie_id: null,
      browser_fingerprint: null,
    },
    {
      id: 888888888,
      created_at: '2014-12-19T03:38:19.899Z',
      account_id: 55555,
      user_id: 77777777,
      event_type_id: 5,
      notes: 'Authentication method: password.',
      ipaddr: '22.222.22.222',
      actor_user_id: 11111111,
      assuming_acting_user_id: null,
      role_id: null,
      app_id: null,
      group_id: null,
      otp_device_id: null,
      policy_id: null,
      actor_system: '',
      custom_message: null,
      role_name: null,
      app_name: null,
      group_name: null,
      actor_user_name: 'Jimena Xie',
      user_name: 'Jimena Xie',
      policy_name: null,
      otp_device_name: null,
      operation_name: null,
      directory_sync_run_id: null,
      directory_id: null,
      resolution: null,
      client_id: null,
      resource_type_id: null,
      error_description: null,
      proxy_ip: null,
      risk_score: 48,
      risk_reasons: 'Infrequent access from 73.68.253.46 (13%)\nLow trust for session (15%)....',
      risk_cookie_id: '1cc3xx9-6a0d-4643-8111-b5xx',
      browser_fingerprint: '71fxxxxxxxxxxxbc184748e5a6b',
    },
  ],
};

/** Seed 001, 400 Bad Request sample. */
export const BAD_AUTHORIZATION_SAMPLE = {
  status: {
    error: true,
    code: 400,
    type: 'bad request',
    message: 'Authorization Information is incorrect',
  },
};

/** Seed 001, 401 Unauthorized sample. */
export const UNAUTHORIZED_SAMPLE = {
  status: { error: true, code: 401, type: 'Unauthorized', message: 'Authentication Failure' },
};

/** API.md §4, Get Event Types sample (its first two rows). */
export const EVENT_TYPES_SAMPLE = {
  status: { error: false, code: 200, type: 'success', message: 'Success' },
  data: [
    { name: 'APP_ADDED_TO_ROLE', description: 'App %app% added to role %role%', id: 1 },
    { name: 'APP_REMOVED_FROM_ROLE', description: 'App %app% removed from role %role%', id: 2 },
  ],
};

/** API.md §7.2, Get Rate Limit sample. */
export const RATE_LIMIT_SAMPLE = {
  status: { error: false, code: 200, type: 'success', message: 'Success' },
  data: { 'X-RateLimit-Limit': 5000, 'X-RateLimit-Remaining': 4988, 'X-RateLimit-Reset': 832 },
};

/** API.md §2.3, Revoke Token 200 sample. */
export const REVOKE_SAMPLE = {
  status: { error: false, code: 200, type: 'success', message: 'Success' },
};

/** Seed 000 (Create Event), "Sample Request", verbatim. */
export const CREATE_EVENT_SAMPLE_REQUEST = `<event>
<account-id>123456</account-id>
<actor-user-id>654321</actor-user-id>
<app-id>11111</app-id>
<event-type-id>9</event-type-id>
<policy-id>22222</policy-id>
<policy-name>app-policy</policy-name>
<role-id>33333</role-id>
<role-name>employee-role</role-name>
<group-id>44444</group-id>
<group-name>sales-group</group-name>
<otp-device-id>55555</otp-device-id>
<otp-device-name>j-mobile</otp-device-name>
<actor-system>API</actor-system>
<actor-user-name>jgonsales</actor-user-name>
<ipaddr>127.0.0.1</ipaddr>
<user-name>Juniper Gonsales</user-name>
<app-name>Mobile Sales</app-name>
<user-id>88888</user-id>
<custom-message>sales app event</custom-message>
</event>`;

/** Seed 000, the cURL request's body with its `{placeholders}`. */
export const CREATE_EVENT_CURL_TEMPLATE = `<event>
<event-type-id>{event_type_id}</event-type-id>
<account-id>{account_id}</account-id>
<actor-system>{actor_system}</actor-system>
<actor-user-id>{actor_id}</actor-user-id>
<actor-user-name>{actor_name}</actor-user-name>
<app-id>{app_id}</app-id>
<app-name>{app_name}</app-name>
<assuming-acting-user-id>{assuming_acting_user_id}</assuming-acting-user-id>
<custom-message>{custom_message}</custom-message>
<directory-sync-run-id>{directory_sync_run_id}</directory-sync-run-id>
<group-id>{group_id}</group-id>
<group-name>{group_name}</group-name>
<ipaddr>{ipaddr}</ipaddr>
<otp-device-id>{otp_device_id}</otp-device-id>
<otp-device-name>{otp_device_name}</otp-device-name>
<policy-id>{policy_id}</policy-id>
<policy-name>{policy_name}</policy-name>
<role-id>{role_id}</role-id>
<role-name>{role_name}</role-name>
<user-id>{user_id}</user-id>
<user-name>{username}</user-name>
</event>`;

/** Seed 004 (Get Failed Provisionings), 200 OK sample, as raw JSON text. */
export const FAILED_PROVISIONINGS_SAMPLE_TEXT = `[
{
"login_id":123456,
"id":654321,
"created_at":"2014\\/09\\/08 18:17:23 -0700",
"error_description":null,
"description":"Internal provisioning error",
"user":{
"email":"johanna@hui.com",
"username":"jhui",
"id":101010,
"lastname":"Hui",
"firstname":"Johanna"
}
},
{
"login_id":234567,
"id":765432,
"created_at":"2014\\/09\\/09 15:25:23 -0700",
"error_description":"The connection timed out while provisioning to\\nhttps:\\/\\/lux.onelogin.com\\/sales",
"description":"Tanja Ono could not be reactivated in Sales App",
"user":{
"email":"tanja@ono.com",
"username":"tono",
"id":111111,
"lastname":"Ono",
"firstname":"Tanja"
}
}
]`;
