CREATE TABLE `moderation_rates` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`flood_start` integer NOT NULL,
	`flood_count` integer NOT NULL,
	`repeat_hash` text NOT NULL,
	`repeat_start` integer NOT NULL,
	`repeat_count` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `moderation_rates_updated` ON `moderation_rates` (`updated_at`);--> statement-breakpoint
ALTER TABLE `moderation_log` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `moderation_log` ADD `error` text;