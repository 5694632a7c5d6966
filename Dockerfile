# The collection worker. `npm run dev` is the path without Docker; this image is for the
# production-shaped stack in docker-compose.yml.
FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --no-fund --no-audit
COPY . .
# Bundle the workflows at build time, so the worker never runs webpack at start.
RUN npx tsx scripts/build-workflow-bundle.ts /app/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js
USER node
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "workers/main.ts"]
