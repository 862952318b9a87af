CREATE TABLE "analytics_daily" (
	"community_id" bigint NOT NULL,
	"day" text NOT NULL,
	"members" bigint NOT NULL,
	"joins" bigint NOT NULL,
	"leaves" bigint NOT NULL,
	"active" bigint NOT NULL,
	"active7" bigint NOT NULL,
	"active30" bigint NOT NULL,
	"speakers" bigint NOT NULL,
	"speakers7" bigint NOT NULL,
	"speakers30" bigint NOT NULL,
	"checkins" bigint NOT NULL,
	"checkins7" bigint NOT NULL,
	"checkins30" bigint NOT NULL,
	"participants" bigint NOT NULL,
	"participants7" bigint NOT NULL,
	"participants30" bigint NOT NULL,
	"messages" bigint NOT NULL,
	"commands" bigint NOT NULL,
	"rolled_at" bigint NOT NULL,
	CONSTRAINT "analytics_daily_community_id_day_pk" PRIMARY KEY("community_id","day")
);
--> statement-breakpoint
CREATE TABLE "analytics_state" (
	"community_id" bigint PRIMARY KEY NOT NULL,
	"raw_pruned_before" text
);
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD CONSTRAINT "analytics_daily_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_state" ADD CONSTRAINT "analytics_state_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;