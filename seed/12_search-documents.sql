-- Builds the search documents from the seeded geography and plans (the import pipeline and the daily
-- search-refresh-documents job keep them current afterwards).
select private.refresh_search_documents();
