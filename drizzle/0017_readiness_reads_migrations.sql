-- The readiness endpoint (GET /api/health/ready, db/readiness.ts) checks, as app_user, that the
-- database has every migration this build ships. The migrator (drizzle-orm) keeps its list in
-- drizzle.__drizzle_migrations, created before the first migration runs. The list holds no tenant
-- data: app_user may read it, and nothing else in that schema.
GRANT USAGE ON SCHEMA drizzle TO app_user;--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO app_user;
