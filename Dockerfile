# One image for every service; the command picks which one runs (see docker-compose.yml and
# deploy/k8s). It holds compiled JavaScript and production dependencies only: no TypeScript,
# tsx, test tools or Prisma CLI.

FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY . .
# `npm install`, not `npm ci`: see .ci/run. Installing generates the Prisma clients and the
# playground (postinstall); the build compiles every workspace. The prune keeps production
# dependencies only; `optional` goes too, or the optional peers of @prisma/client (the
# Prisma CLI with Studio, and TypeScript) would stay. Then the run-time files are copied out.
RUN npm install --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --omit=optional --ignore-scripts \
 && node deploy/dist/runtime-tree.main.js /app

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# The router runs one process per core (node:cluster); the subgraphs ignore it.
ENV ROUTER_WORKERS=auto
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 4000
CMD ["node", "router/dist/main.js"]
