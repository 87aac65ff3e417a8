"""The bottom layer: the machinery every app uses — scope (for_user), privacy (encryption, digests,
masks), spreadsheets (formula-safe cells, responses), dates and periods, media files, the admin base
classes. It imports no domain app (an import contract holds this)."""
