-- One database per service (each service owns its data; they talk only through Kafka events).
-- Run once by the postgres image's entrypoint when the data volume is empty, as POSTGRES_USER,
-- who therefore owns them. Each service creates its own tables on start (Alembic migrations).
CREATE DATABASE notifications;
CREATE DATABASE decisions;
CREATE DATABASE publication;
CREATE DATABASE analytics;
