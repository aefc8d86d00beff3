# One image for every service; the command picks which one runs (see docker-compose.yml).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY . .
# `npm ci` generates the Prisma clients (postinstall); the build compiles every workspace.
RUN npm ci && npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN rm -rf node_modules packages/*/node_modules subgraphs/*/node_modules router/node_modules prisma/node_modules schema/node_modules \
 && npm ci --omit=dev --ignore-scripts \
 && npm cache clean --force
USER node
EXPOSE 4000
CMD ["node", "router/dist/main.js"]
