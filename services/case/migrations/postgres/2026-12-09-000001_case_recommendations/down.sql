DROP TABLE case_recommendations;
