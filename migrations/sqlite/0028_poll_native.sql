ALTER TABLE `polls` ADD `native` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `native_channel_id` text;--> statement-breakpoint
ALTER TABLE `polls` ADD `native_message_id` text;--> statement-breakpoint
ALTER TABLE `polls` ADD `native_answers_json` text;--> statement-breakpoint
CREATE UNIQUE INDEX `polls_native_message` ON `polls` (`native_message_id`);