CREATE TABLE "analytics_weekly_reports" (
	"community_id" bigint NOT NULL,
	"week" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "analytics_weekly_reports_community_id_week_pk" PRIMARY KEY("community_id","week")
);
--> statement-breakpoint
ALTER TABLE "analytics_weekly_reports" ADD CONSTRAINT "analytics_weekly_reports_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;