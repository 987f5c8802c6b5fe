# Multi-stage build: compile TypeScript with the dev dependencies, install the
# production dependencies on their own, then a runtime image with only those,
# dist/ and the schema (read at start-up). See README "Operations".
#
# No `# syntax=` line and no BuildKit-only instructions, so the legacy builder
# builds it too (a machine with no image registry cannot fetch a syntax
# frontend image).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schema ./schema
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script (the only
# one that has one, @apollo/protobufjs, prints a notice), and the package's own
# lifecycle scripts are for development.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force

FROM ${NODE_IMAGE}
# tini as PID 1: it forwards SIGTERM to Node and reaps zombies under any
# runtime, so `docker run --init` is not needed.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
# Owned by root and read-only for the `node` user that runs the gateway.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY schema ./schema
COPY package.json ./
USER node
EXPOSE 4000
# Ready (200) or not (503): a replica that cannot serve yet, or is draining,
# is reported unhealthy. Node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Exec form: tini passes SIGTERM to Node, and the gateway drains before it exits.
CMD ["node", "--enable-source-maps", "dist/index.js"]
