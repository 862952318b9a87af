CREATE TABLE "analytics_members" (
	"community_id" bigint NOT NULL,
	"member_id" bigint NOT NULL,
	"active_day" text,
	"spoke_day" text,
	"checkin_day" text,
	CONSTRAINT "analytics_members_community_id_member_id_pk" PRIMARY KEY("community_id","member_id")
);
--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "retained1" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "retained7" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "retained30" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "active6" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "active29" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "speakers6" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "speakers29" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "checkins6" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "checkins29" bigint;--> statement-breakpoint
ALTER TABLE "analytics_daily" ADD COLUMN "top_members" text;--> statement-breakpoint
ALTER TABLE "analytics_state" ADD COLUMN "raw_prune_done" text;--> statement-breakpoint
ALTER TABLE "analytics_state" ADD COLUMN "members_through" text;--> statement-breakpoint
ALTER TABLE "analytics_members" ADD CONSTRAINT "analytics_members_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_members" ADD CONSTRAINT "analytics_members_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_members_days" ON "analytics_members" USING btree ("community_id","member_id","active_day","spoke_day","checkin_day");--> statement-breakpoint
CREATE INDEX "checkins_community_day" ON "checkins" USING btree ("community_id","day","member_id");--> statement-breakpoint
CREATE INDEX "members_community_created" ON "members" USING btree ("community_id","created_at");--> statement-breakpoint
CREATE INDEX "members_community_left" ON "members" USING btree ("community_id","left_at");