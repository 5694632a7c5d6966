# The images of docker-compose.yml, two targets:
#   app   the production image: every production entry point (collection worker, jobs worker, report API,
#         jobs API, the one-shot setup), without dev/ (the simulator, the demo pipeline, the demo job services,
#         the demo SalesMap DB). `docker build .` builds it: it is the last stage.
#   demo  app plus dev/: for the compose services that stand in for the outside world (the simulator, the
#         worker with the demo pipeline, the jobs worker with the demo services).
# `npm run dev` is the path without Docker.

# The build context without dev/. .dockerignore applies to every stage, so it cannot keep dev/ out of app
# and still give it to demo; this stage drops it, and app copies what is left.
FROM node:20.20-bookworm-slim AS sources
WORKDIR /src
COPY . .
RUN rm -rf dev

FROM node:20.20-bookworm-slim AS production
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-fund --no-audit
COPY --from=sources /src ./
# Bundle the workflows at build time, so the worker never runs webpack at start (and, built without dev/,
# proves that no workflow imports it).
RUN npx tsx scripts/build-workflow-bundle.ts /app/workflow-bundle.js
ENV WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js
# What the processes write, as user node: the email outbox (.data/outbox without SMTP_URL), the report
# files (the `reports` volume takes this directory's owner when Docker creates it) and the job catalog,
# which the jobs API edits (in the container: edit jobs/catalog.json and rebuild to keep a change).
RUN mkdir -p /app/.data /reports && chown node:node /app/.data /reports /app/jobs /app/jobs/catalog.json
USER node
CMD ["node", "--max-old-space-size=256", "--import", "tsx", "workers/main.ts"]

FROM production AS demo
COPY dev ./dev

FROM production AS app
