-- Up Migration
-- Core schema shared with the webhook, the SMS sender and the other workers
-- (reference/product-brief.md §1). IF NOT EXISTS everywhere: on a Supabase project that already
-- has these tables this migration changes nothing, and the next one adds what the processor needs.

CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone_number varchar(20) NOT NULL UNIQUE,
  first_name text,
  last_name text,
  company text,
  title text,
  email text,
  linkedin_url text,
  expertise text[],
  verified boolean NOT NULL DEFAULT false,
  email_verified boolean NOT NULL DEFAULT false,
  poc_agent_type text DEFAULT 'bouncer',
  poc_agent_id text,
  innovator boolean NOT NULL DEFAULT false,
  expert_connector boolean NOT NULL DEFAULT false,
  referred_by uuid REFERENCES users (id),
  name_dropped text,
  quiet_hours_start time,
  quiet_hours_end time,
  timezone text DEFAULT 'America/New_York',
  response_pattern jsonb,
  credit_balance integer NOT NULL DEFAULT 0,
  status_level text DEFAULT 'member',
  last_active_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  phone_number varchar(20),
  status text NOT NULL DEFAULT 'active',
  conversation_summary text,
  last_summary_message_id uuid,
  messages_since_summary integer NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS conversations_user_status_idx ON conversations (user_id, status);
CREATE INDEX IF NOT EXISTS conversations_phone_idx ON conversations (phone_number);

CREATE TABLE IF NOT EXISTS messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL,
  content text,
  direction text NOT NULL,
  twilio_message_sid text,
  status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  delivered_at timestamptz
);
CREATE INDEX IF NOT EXISTS messages_conversation_created_idx ON messages (conversation_id, created_at);
CREATE INDEX IF NOT EXISTS messages_twilio_sid_idx ON messages (twilio_message_sid);

CREATE TABLE IF NOT EXISTS events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_type varchar(100) NOT NULL,
  aggregate_id uuid,
  aggregate_type text,
  payload jsonb NOT NULL,
  metadata jsonb,
  processed boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text
);
CREATE INDEX IF NOT EXISTS events_unprocessed_idx ON events (created_at) WHERE processed = false;

CREATE TABLE IF NOT EXISTS event_dead_letters (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id uuid,
  event_type text,
  payload jsonb,
  error_message text,
  retry_count integer,
  original_created_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS agent_tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_type text NOT NULL,
  agent_type text NOT NULL,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  context_id uuid,
  context_type text,
  scheduled_for timestamptz NOT NULL DEFAULT now(),
  priority text NOT NULL DEFAULT 'medium',
  status text NOT NULL DEFAULT 'pending',
  retry_count integer NOT NULL DEFAULT 0,
  max_retries integer NOT NULL DEFAULT 3,
  last_attempted_at timestamptz,
  context_json jsonb,
  result_json jsonb,
  error_log text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX IF NOT EXISTS agent_tasks_due_idx ON agent_tasks (scheduled_for) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS message_queue (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  agent_id text,
  message_data jsonb,
  final_message text,
  scheduled_for timestamptz NOT NULL DEFAULT now(),
  priority text NOT NULL DEFAULT 'medium',
  status text NOT NULL DEFAULT 'queued',
  superseded_by_message_id uuid,
  superseded_reason text,
  conversation_context_id uuid,
  requires_fresh_context boolean NOT NULL DEFAULT false,
  sent_at timestamptz,
  delivered_message_id uuid REFERENCES messages (id),
  sequence_id uuid,
  sequence_position integer,
  sequence_total integer,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_message_budget (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  date date NOT NULL,
  messages_sent integer NOT NULL DEFAULT 0,
  last_message_at timestamptz,
  daily_limit integer NOT NULL DEFAULT 5,
  hourly_limit integer NOT NULL DEFAULT 2,
  quiet_hours_enabled boolean NOT NULL DEFAULT true,
  UNIQUE (user_id, date)
);

CREATE TABLE IF NOT EXISTS agent_actions_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_type text NOT NULL,
  action_type text NOT NULL,
  user_id uuid,
  context_id uuid,
  context_type text,
  model_used text,
  input_tokens integer,
  output_tokens integer,
  cost_usd numeric(10, 6),
  latency_ms integer,
  input_data jsonb,
  output_data jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS agent_actions_log_user_action_idx ON agent_actions_log (user_id, action_type, created_at);

CREATE TABLE IF NOT EXISTS innovators (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  company_name text,
  solution_description text,
  categories text[],
  target_customer_profile text,
  credits_balance integer NOT NULL DEFAULT 0,
  warm_intro_bounty integer NOT NULL DEFAULT 25,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS prospects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  innovator_id uuid REFERENCES users (id) ON DELETE CASCADE,
  first_name text,
  last_name text,
  company text,
  title text,
  email text,
  phone_number text,
  linkedin_url text,
  upgraded_on_signup boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS linkedin_research_prospects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text,
  company text,
  title text,
  linkedin_url text,
  created_by_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS user_priorities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  priority_rank integer NOT NULL DEFAULT 999,
  item_type text NOT NULL,
  item_id uuid NOT NULL,
  value_score integer,
  status text NOT NULL DEFAULT 'active',
  expires_at timestamptz,
  presented_at timestamptz,
  content text,
  metadata jsonb,
  presentation_count integer NOT NULL DEFAULT 0,
  item_summary text,
  item_primary_name text,
  item_secondary_name text,
  item_context text,
  item_metadata jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, item_type, item_id)
);

CREATE TABLE IF NOT EXISTS community_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requesting_agent_type text,
  requesting_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  context_id uuid,
  context_type text,
  question text NOT NULL,
  category text,
  expertise_needed text[],
  target_user_ids uuid[],
  status text NOT NULL DEFAULT 'open',
  responses_count integer NOT NULL DEFAULT 0,
  closed_loop_at timestamptz,
  closed_loop_message text,
  expires_at timestamptz DEFAULT now() + interval '7 days',
  requester_context text,
  desired_outcome text DEFAULT 'backchannel',
  urgency text DEFAULT 'medium',
  request_summary text,
  presentation_count integer NOT NULL DEFAULT 0,
  last_presented_at timestamptz,
  dormant_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS community_responses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id uuid NOT NULL REFERENCES community_requests (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  response_text text,
  verbatim_answer text,
  usefulness_score integer,
  impact_description text,
  credits_awarded integer,
  credited_at timestamptz,
  status text NOT NULL DEFAULT 'provided',
  closed_loop_message text,
  closed_loop_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS intro_opportunities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connector_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  innovator_id uuid REFERENCES users (id) ON DELETE CASCADE,
  prospect_id uuid REFERENCES prospects (id) ON DELETE RESTRICT,
  first_name text NOT NULL,
  last_name text NOT NULL,
  prospect_company text,
  prospect_title text,
  prospect_linkedin_url text,
  innovator_name text,
  bounty_credits integer NOT NULL DEFAULT 50,
  status text NOT NULL DEFAULT 'open',
  connector_response text,
  intro_email text,
  intro_scheduled_at timestamptz,
  intro_completed_at timestamptz,
  expires_at timestamptz,
  connection_strength text,
  presentation_count integer NOT NULL DEFAULT 0,
  last_presented_at timestamptz,
  dormant_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS connection_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  introducee_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  requestor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  requestor_name text,
  requestor_company text,
  requestor_title text,
  intro_context text,
  vouched_by_user_ids uuid[],
  bounty_credits integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'open',
  presentation_count integer NOT NULL DEFAULT 0,
  last_presented_at timestamptz,
  dormant_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS intro_offers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  offering_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  introducee_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  prospect_name text,
  prospect_company text,
  prospect_title text,
  prospect_context text,
  context_type text,
  context_id uuid,
  bounty_credits integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending_introducee_response',
  intro_completed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS credit_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  amount integer NOT NULL,
  reference_type text,
  reference_id uuid,
  idempotency_key text NOT NULL UNIQUE,
  description text,
  processed boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Rollback, by hand only. Not a node-pg-migrate down section: the Supabase CLI executes a
-- migration file in full, so any down SQL here would undo the file as soon as it is applied.
-- Roll forward with a new migration instead.
-- DROP TABLE IF EXISTS credit_events, intro_offers, connection_requests, intro_opportunities,
--   community_responses, community_requests, user_priorities, linkedin_research_prospects, prospects,
--   innovators, agent_actions_log, user_message_budget, message_queue, agent_tasks, event_dead_letters,
--   events, messages, conversations, users;
