DROP INDEX cases_inbox_counts;
