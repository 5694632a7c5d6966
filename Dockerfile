# The application image of docker-compose.yml: every application service (collection worker, jobs worker,
# report API, jobs API, simulator, the one-shot setup) runs one of its entry points. `npm run dev` is the
# path without Docker.
FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit
COPY . .
# Bundle the workflows at build time, so the worker never runs webpack at start.
RUN npx tsx scripts/build-workflow-bundle.ts /app/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js
# What the processes write, as user node: the email outbox (.data/outbox without SMTP_URL), the report
# files (the `reports` volume takes this directory's owner when Docker creates it) and the job catalog,
# which the jobs API edits (in the container: edit jobs/catalog.json and rebuild to keep a change).
RUN mkdir -p /app/.data /reports && chown node:node /app/.data /reports /app/jobs /app/jobs/catalog.json
USER node
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "workers/main.ts"]
