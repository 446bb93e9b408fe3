-- The Worker's system of record: conversations, messages, the document library and its embeddings.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE conversations (
  id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- the verified identity (`sub`) the conversation belongs to
  user_id    TEXT NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
  started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  ended_at   TIMESTAMPTZ,
  metadata   JSONB NOT NULL DEFAULT '{}'::jsonb,
  -- searchable summary, written by the agent when the conversation ends
  summary    TEXT,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX conversations_user ON conversations (user_id, started_at DESC);

CREATE TABLE messages (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool', 'system')),
  content         TEXT NOT NULL,
  -- token counts let cost be reasoned about without re-counting
  input_tokens    INT CHECK (input_tokens >= 0),
  output_tokens   INT CHECK (output_tokens >= 0),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);

CREATE TABLE documents (
  id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- 'policy', 'past_case', 'kb_article', ...
  source      TEXT NOT NULL CHECK (source ~ '^[a-z][a-z0-9_]*$'),
  -- the document's id in its source (a policy slug, a ticket id): makes loading idempotent
  external_id TEXT,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  metadata    JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (source, external_id)
);
CREATE INDEX documents_source ON documents (source);

-- One table for document and conversation embeddings, so "have we answered this before?" is one
-- query. The column has no fixed dimension: each row records its model and dimension, and search
-- uses a per-model partial HNSW index over `embedding::vector(N)` (see src/store/embedding-index.ts),
-- so vectors from different models are never compared.
CREATE TABLE embeddings (
  id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  document_id     UUID REFERENCES documents (id) ON DELETE CASCADE,
  conversation_id UUID REFERENCES conversations (id) ON DELETE CASCADE,
  chunk_index     INT NOT NULL CHECK (chunk_index >= 0),
  chunk_text      TEXT NOT NULL,
  -- where the chunk sits in its source text, and its size in the model's tokens
  char_start      INT CHECK (char_start >= 0),
  char_end        INT,
  token_count     INT CHECK (token_count >= 0),
  model           TEXT NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  dimensions      INT NOT NULL CHECK (dimensions BETWEEN 1 AND 16000),
  embedding       vector NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT embeddings_one_parent CHECK (num_nonnulls(document_id, conversation_id) = 1),
  CONSTRAINT embeddings_dimensions_match CHECK (vector_dims(embedding) = dimensions),
  CONSTRAINT embeddings_char_range CHECK (char_end IS NULL OR char_end >= char_start)
);
CREATE UNIQUE INDEX embeddings_document_chunk
  ON embeddings (document_id, model, chunk_index) WHERE document_id IS NOT NULL;
CREATE UNIQUE INDEX embeddings_conversation_chunk
  ON embeddings (conversation_id, model, chunk_index) WHERE conversation_id IS NOT NULL;
CREATE INDEX embeddings_model ON embeddings (model, dimensions);
