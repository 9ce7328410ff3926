-- Demo data: search documents for the demo plans and providers of seed 10 (cities, ZIPs and features
-- are searchable right after the migrations; the import pipeline and the daily
-- search-refresh-documents job keep documents current on a deployed project).
select private.refresh_search_documents();
