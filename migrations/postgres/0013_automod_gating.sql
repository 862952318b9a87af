CREATE TABLE "moderation_automod" (
	"community_id" bigint PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"rule_ids" text NOT NULL,
	"keywords" bigint NOT NULL,
	"overflow" bigint NOT NULL,
	"synced_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "moderation_spam" (
	"community_id" bigint PRIMARY KEY NOT NULL,
	"flood_messages" bigint,
	"flood_seconds" bigint,
	"repeat_count" bigint,
	"repeat_seconds" bigint,
	"mentions" bigint,
	"new_member_hours" bigint,
	"updated_by" bigint,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "quiz_schedules" ADD COLUMN "remind" text;--> statement-breakpoint
ALTER TABLE "rules_acceptances" ADD COLUMN "gate_reminded_at" bigint;--> statement-breakpoint
ALTER TABLE "moderation_automod" ADD CONSTRAINT "moderation_automod_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_spam" ADD CONSTRAINT "moderation_spam_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_spam" ADD CONSTRAINT "moderation_spam_updated_by_members_id_fk" FOREIGN KEY ("updated_by") REFERENCES "members"("id") ON DELETE no action ON UPDATE no action;