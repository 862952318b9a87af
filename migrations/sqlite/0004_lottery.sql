CREATE TABLE `lotteries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`prize` text NOT NULL,
	`winners` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`cost` integer DEFAULT 0 NOT NULL,
	`min_level` integer DEFAULT 0 NOT NULL,
	`min_streak` integer DEFAULT 0 NOT NULL,
	`min_points` integer DEFAULT 0 NOT NULL,
	`bonus` text,
	`seed_hex` text NOT NULL,
	`commitment` text NOT NULL,
	`algorithm` text NOT NULL,
	`status` text NOT NULL,
	`entries_hash` text,
	`entries_json` text,
	`winners_json` text,
	`rerolls` integer DEFAULT 0 NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`drawn_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `lotteries_community` ON `lotteries` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `lotteries_status` ON `lotteries` (`status`,`ends_at`);--> statement-breakpoint
CREATE TABLE `lottery_entries` (
	`lottery_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`tickets` integer NOT NULL,
	`cost_paid` integer NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`lottery_id`, `member_id`),
	FOREIGN KEY (`lottery_id`) REFERENCES `lotteries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
