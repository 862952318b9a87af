CREATE TABLE `moderation_lists` (
	`community_id` integer PRIMARY KEY NOT NULL,
	`revision` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `moderation_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer,
	`actor_id` integer,
	`action` text NOT NULL,
	`wanted` text,
	`strike_id` integer,
	`rule` text,
	`matched` text,
	`reason` text,
	`strikes` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`strike_id`) REFERENCES `moderation_strikes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `moderation_log_community` ON `moderation_log` (`community_id`,`id`);--> statement-breakpoint
CREATE TABLE `moderation_strikes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`source_key` text NOT NULL,
	`kind` text NOT NULL,
	`rule` text,
	`matched` text,
	`reason` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`pardoned_by` integer,
	`pardoned_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`pardoned_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `moderation_strikes_source` ON `moderation_strikes` (`community_id`,`source_key`);--> statement-breakpoint
CREATE INDEX `moderation_strikes_member` ON `moderation_strikes` (`member_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `moderation_words` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`word` text NOT NULL,
	`word_key` text NOT NULL,
	`allow` integer DEFAULT false NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `moderation_words_key` ON `moderation_words` (`community_id`,`word_key`,`allow`);