"""Members imports: use cases (service) and the streamed, resumable job (job)."""
