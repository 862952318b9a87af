ALTER TABLE "polls" ADD COLUMN "native" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "native_channel_id" text;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "native_message_id" text;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "native_answers_json" text;--> statement-breakpoint
CREATE UNIQUE INDEX "polls_native_message" ON "polls" USING btree ("native_message_id");