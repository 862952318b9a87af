CREATE TABLE `moderation_automod` (
	`community_id` integer PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`rule_ids` text NOT NULL,
	`keywords` integer NOT NULL,
	`overflow` integer NOT NULL,
	`synced_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `moderation_spam` (
	`community_id` integer PRIMARY KEY NOT NULL,
	`flood_messages` integer,
	`flood_seconds` integer,
	`repeat_count` integer,
	`repeat_seconds` integer,
	`mentions` integer,
	`new_member_hours` integer,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `rules_acceptances` ADD `gate_reminded_at` integer;--> statement-breakpoint
ALTER TABLE `quiz_schedules` ADD `remind` text;