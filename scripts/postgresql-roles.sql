-- Roles of a shared IVO database on PostgreSQL: reader, reviewer, administrator.
--
-- Run it as the owner of the IVO database (the account that ran the migrations, i.e. the first
-- `ivo --db postgresql://...`), once, and again after an IVO upgrade that adds tables:
--     psql "postgresql://proprietaire@serveur/ivo" -f scripts/postgresql-roles.sql
-- Then give each person a login of their own in one of the three roles (the journal records the
-- login the server authenticated, so one login per person, never a shared one):
--     CREATE ROLE mdupont LOGIN PASSWORD '...' IN ROLE ivo_relecteur;
--
--   ivo_lecteur         reads everything; what they view and export is journaled (INSERT on the journal)
--   ivo_relecteur       + duplicate decisions and audits
--   ivo_administrateur  + imports, checks, detection, settings, deletions of extractions
--
-- The journal is append-only for everyone: no role has UPDATE, DELETE or TRUNCATE on it, and a
-- trigger refuses them even to the owner; its hash chain (`ivo journal verify`) shows any change
-- made by someone who dropped the trigger.

\set ON_ERROR_STOP on

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ivo_lecteur') THEN
        CREATE ROLE ivo_lecteur NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ivo_relecteur') THEN
        CREATE ROLE ivo_relecteur NOLOGIN IN ROLE ivo_lecteur;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ivo_administrateur') THEN
        CREATE ROLE ivo_administrateur NOLOGIN IN ROLE ivo_relecteur;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ivo_lecteur', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO ivo_lecteur;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ivo_lecteur;
GRANT INSERT ON journal_entry TO ivo_lecteur;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ivo_lecteur;

GRANT INSERT, UPDATE, DELETE ON pair_decision, audit, audit_item TO ivo_relecteur;

-- Every IVO table but the journal (and Alembic's own) is written by the administrator.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT tablename FROM pg_tables
        WHERE schemaname = 'public' AND tablename NOT IN ('journal_entry', 'alembic_version')
    LOOP
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO ivo_administrateur', t.tablename);
    END LOOP;
END
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON journal_entry FROM PUBLIC, ivo_lecteur, ivo_relecteur, ivo_administrateur;

CREATE OR REPLACE FUNCTION ivo_journal_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permission denied: le journal IVO est en ajout seul (% refusé)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS ivo_journal_append_only ON journal_entry;
CREATE TRIGGER ivo_journal_append_only
    BEFORE UPDATE OR DELETE ON journal_entry
    FOR EACH ROW EXECUTE FUNCTION ivo_journal_append_only();

DROP TRIGGER IF EXISTS ivo_journal_no_truncate ON journal_entry;
CREATE TRIGGER ivo_journal_no_truncate
    BEFORE TRUNCATE ON journal_entry
    FOR EACH STATEMENT EXECUTE FUNCTION ivo_journal_append_only();
