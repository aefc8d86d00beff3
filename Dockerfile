# One image for every service; the command picks which one runs (see docker-compose.yml).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
# `npm install`, not `npm ci`: see .ci/run. Installing generates the Prisma clients and the
# playground (postinstall), the build compiles every workspace, and pruning leaves only what
# the services need at run time, before anything is copied into the final image.
RUN npm install --no-audit --no-fund \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 4000
CMD ["node", "router/dist/main.js"]
