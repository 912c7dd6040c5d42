-- The pieces of the Supabase platform that a plain Postgres lacks, for the local devstack only.
-- Shapes follow supabase/postgres (init scripts, migrations, extension after-create scripts) and
-- supabase/auth migrations. Never part of supabase/migrations: a Supabase project already has all of this.
--
-- Runs once per fresh cluster as `supabase_admin`, the cluster's bootstrap superuser, as Supabase's
-- image runs its init scripts. `postgres` ends as Supabase leaves it (demote-postgres migration):
-- not a superuser, so a migration that needs one fails here as it fails on `supabase db push`.

-- The project's role: a superuser while the platform is set up, demoted at the end of this file.
do $$
begin
  if not exists (select from pg_roles where rolname = 'postgres') then
    create role postgres superuser login;
  end if;
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end $$;

alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
grant anon, authenticated, service_role to authenticator;
-- postgres may act as the API roles (`set local role authenticated` in pgTAP tests, as on Supabase).
grant anon, authenticated, service_role to postgres;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';

-- public: what Supabase's initial schema grants, and its default privileges: every table, function
-- and sequence that postgres (or supabase_admin) creates in public is granted to the API roles
-- unless a migration revokes it.
grant usage on schema public to postgres, anon, authenticated, service_role;
grant all on schema public to postgres;
alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- auth.*: read the claims PostgREST sets per request (request.jwt.claims), with the legacy
-- per-claim settings first, exactly as supabase/auth defines them.
create schema if not exists auth;
grant usage on schema auth to postgres, anon, authenticated, service_role;

create or replace function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to postgres, anon, authenticated, service_role;

-- Vault, shaped like supabase_vault 0.3: `vault.secrets` (with `key_id` and `nonce`), the
-- `vault.decrypted_secrets` view that decrypts on the fly ("anyone that has access to the view has
-- access to decrypted secrets"), `create_secret` / `update_secret` with their real signatures, and
-- the grants of Supabase's after-create script (postgres and service_role may read and delete
-- secrets and call the functions; writes go through the functions). Encryption here is pgcrypto
-- with a per-cluster root key that only supabase_admin can read; `key_id` is kept but unused, as
-- in supabase_vault 0.3 without pgsodium.
create schema if not exists vault;
revoke all on schema vault from public;

create table if not exists vault.root_key (
  singleton boolean primary key default true check (singleton),
  key text not null default encode(extensions.gen_random_bytes(32), 'hex')
);
insert into vault.root_key default values on conflict do nothing;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default extensions.gen_random_bytes(24),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create or replace function vault._encrypt(plain text) returns text
language sql security definer set search_path = '' as $$
  select encode(extensions.pgp_sym_encrypt(plain, (select key from vault.root_key)), 'base64')
$$;

create or replace view vault.decrypted_secrets as
  select s.id, s.name, s.description, s.secret,
         extensions.pgp_sym_decrypt(decode(s.secret, 'base64'), (select key from vault.root_key)) as decrypted_secret,
         s.key_id, s.nonce, s.created_at, s.updated_at
  from vault.secrets s;

create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
) returns uuid
language sql security definer set search_path = '' as $$
  insert into vault.secrets (name, description, secret, key_id)
  values (new_name, coalesce(new_description, ''), vault._encrypt(new_secret), new_key_id)
  returning id
$$;

create or replace function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null,
  new_description text default null, new_key_id uuid default null
) returns void
language sql security definer set search_path = '' as $$
  update vault.secrets set
    secret = coalesce(vault._encrypt(new_secret), secret),
    name = coalesce(new_name, name),
    description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id),
    updated_at = now()
  where id = secret_id
$$;

revoke all on all tables in schema vault from public;
revoke all on all functions in schema vault from public;
grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret, vault.update_secret to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret, vault.update_secret to service_role;

-- pg_cron: on Supabase, supautils creates it as supabase_admin when postgres asks, and the
-- after-create script hands postgres its schema and functions but only SELECT on cron.job (jobs
-- are changed through cron.schedule / unschedule). Debian's pg_cron is not a trusted extension,
-- so the devstack creates it up front, as that superuser, with the same grants; a migration's
-- `create extension if not exists pg_cron` then finds it.
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on sequences to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on tables to postgres with grant option;
alter default privileges for user supabase_admin in schema cron grant all on functions to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;

-- pg_net and pgmq: migrations create them (devstack/extension_files.py installs their files).

-- PostgREST reloads its schema cache on `NOTIFY pgrst, 'reload schema'`; Supabase sends it from
-- event triggers after every DDL statement, so migrations pushed to a running stack are seen.
create or replace function extensions.pgrst_ddl_watch() returns event_trigger
language plpgsql as $$
begin
  notify pgrst, 'reload schema';
end;
$$;

drop event trigger if exists pgrst_ddl_watch;
create event trigger pgrst_ddl_watch on ddl_command_end execute procedure extensions.pgrst_ddl_watch();
drop event trigger if exists pgrst_drop_watch;
create event trigger pgrst_drop_watch on sql_drop execute procedure extensions.pgrst_ddl_watch();

-- Demote postgres as Supabase's demote-postgres migration does: the database, the extensions
-- schema, then NOSUPERUSER (it keeps CREATEROLE and BYPASSRLS).
grant all on database postgres to postgres;
grant all on schema extensions to postgres;
grant all on all tables in schema extensions to postgres;
grant all on all sequences in schema extensions to postgres;
grant all on all routines in schema extensions to postgres;
alter role postgres nosuperuser createdb createrole login replication bypassrls;
