CREATE TABLE "moderation_rates" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"flood_start" bigint NOT NULL,
	"flood_count" bigint NOT NULL,
	"repeat_hash" text NOT NULL,
	"repeat_start" bigint NOT NULL,
	"repeat_count" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "moderation_log" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "moderation_log" ADD COLUMN "error" text;--> statement-breakpoint
ALTER TABLE "moderation_rates" ADD CONSTRAINT "moderation_rates_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "moderation_rates_updated" ON "moderation_rates" USING btree ("updated_at");