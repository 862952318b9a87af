CREATE TABLE `communities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`external_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `communities_platform_external` ON `communities` (`platform`,`external_id`);--> statement-breakpoint
CREATE TABLE `inbound_events` (
	`platform` text NOT NULL,
	`delivery_id` text NOT NULL,
	`received_at` integer NOT NULL,
	`reply_json` text,
	PRIMARY KEY(`platform`, `delivery_id`)
);
--> statement-breakpoint
CREATE INDEX `inbound_events_received` ON `inbound_events` (`received_at`);--> statement-breakpoint
CREATE TABLE `member_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`member_id` integer NOT NULL,
	`community_id` integer NOT NULL,
	`platform` text NOT NULL,
	`platform_user_id` text NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `member_accounts_identity` ON `member_accounts` (`community_id`,`platform`,`platform_user_id`);--> statement-breakpoint
CREATE INDEX `member_accounts_member` ON `member_accounts` (`member_id`);--> statement-breakpoint
CREATE TABLE `members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`display_name` text NOT NULL,
	`joined_at` integer NOT NULL,
	`left_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `members_community_name` ON `members` (`community_id`,`display_name`);--> statement-breakpoint
CREATE TABLE `member_points` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`community_id` integer NOT NULL,
	`balance` integer NOT NULL,
	`earned` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_points_board` ON `member_points` (`community_id`,"earned" desc,`member_id`);--> statement-breakpoint
CREATE TABLE `points_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`delta` integer NOT NULL,
	`kind` text NOT NULL,
	`reason` text NOT NULL,
	`ref` text,
	`idem_key` text NOT NULL,
	`actor_member_id` integer,
	`day` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `points_ledger_idem_key_unique` ON `points_ledger` (`idem_key`);--> statement-breakpoint
CREATE INDEX `points_ledger_member` ON `points_ledger` (`member_id`,`id`);--> statement-breakpoint
CREATE INDEX `points_ledger_community_day` ON `points_ledger` (`community_id`,`day`);--> statement-breakpoint
CREATE TABLE `points_periods` (
	`community_id` integer NOT NULL,
	`period` text NOT NULL,
	`member_id` integer NOT NULL,
	`earned` integer NOT NULL,
	PRIMARY KEY(`community_id`, `period`, `member_id`)
);
--> statement-breakpoint
CREATE INDEX `points_periods_board` ON `points_periods` (`community_id`,`period`,"earned" desc,`member_id`);--> statement-breakpoint
CREATE TABLE `checkin_day_counts` (
	`community_id` integer NOT NULL,
	`day` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`community_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `checkin_streaks` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`last_day` text NOT NULL,
	`streak` integer NOT NULL,
	`best_streak` integer NOT NULL,
	`total` integer NOT NULL,
	`freezes` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `checkins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`day` text NOT NULL,
	`streak` integer NOT NULL,
	`points` integer NOT NULL,
	`rank_of_day` integer NOT NULL,
	`freezes_used` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkins_member_day` ON `checkins` (`member_id`,`day`);