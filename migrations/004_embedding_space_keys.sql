-- One chunk per owner per embedding space: the model AND its dimension. A model such as
-- text-embedding-3-small can be asked for 512 or 1536 dimensions; each is its own space, so moving
-- the corpus from one to the other (`fte embed --reembed`) holds both until the switch.
DROP INDEX embeddings_document_chunk;
DROP INDEX embeddings_conversation_chunk;
CREATE UNIQUE INDEX embeddings_document_chunk
  ON embeddings (document_id, model, dimensions, chunk_index) WHERE document_id IS NOT NULL;
CREATE UNIQUE INDEX embeddings_conversation_chunk
  ON embeddings (conversation_id, model, dimensions, chunk_index) WHERE conversation_id IS NOT NULL;
