-- The pieces of the Supabase platform that a plain Postgres lacks, for the local devstack only.
-- Shapes follow supabase/postgres init scripts and supabase/auth migrations. Never part of
-- supabase/migrations: a Supabase project already has all of this.
-- Runs as the cluster superuser, once per fresh cluster (idempotent anyway).

do $$
begin
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
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';

grant usage on schema public to anon, authenticated, service_role;

create schema if not exists extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;

-- auth.*: read the claims PostgREST sets per request (request.jwt.claims), with the legacy
-- per-claim settings first, exactly as supabase/auth defines them.
create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

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

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role;

-- Vault: secrets stored encrypted, decrypted on the fly by a view that only the owner (postgres)
-- can read, as in supabase_vault. Encryption here is pgcrypto with a per-cluster root key.
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
         s.created_at, s.updated_at
  from vault.secrets s;

create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default ''
) returns uuid
language sql security definer set search_path = '' as $$
  insert into vault.secrets (name, description, secret)
  values (new_name, coalesce(new_description, ''), vault._encrypt(new_secret))
  returning id
$$;

create or replace function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null,
  new_description text default null
) returns void
language sql security definer set search_path = '' as $$
  update vault.secrets set
    secret = coalesce(vault._encrypt(new_secret), secret),
    name = coalesce(new_name, name),
    description = coalesce(new_description, description),
    updated_at = now()
  where id = secret_id
$$;

revoke all on all tables in schema vault from public;
revoke all on all functions in schema vault from public;

-- The SQL-only pg_net stand-in (devstack/extensions/pg_net--*.sql), where Supabase has the real one.
-- Migrations enable it themselves; nothing to do here.

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
