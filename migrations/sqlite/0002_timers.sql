CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`dedupe_key` text NOT NULL,
	`source` text NOT NULL,
	`reply_json` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_dedupe_key_unique` ON `deliveries` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `deliveries_status` ON `deliveries` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `deliveries_source` ON `deliveries` (`source`,`id`);--> statement-breakpoint
CREATE TABLE `post_runs` (
	`post_id` integer NOT NULL,
	`run_key` text NOT NULL,
	`fired_at` integer NOT NULL,
	PRIMARY KEY(`post_id`, `run_key`),
	FOREIGN KEY (`post_id`) REFERENCES `scheduled_posts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `scheduled_posts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`kind` text NOT NULL,
	`cron` text,
	`timezone` text NOT NULL,
	`due_at` integer,
	`text` text NOT NULL,
	`promo` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`last_run_at` integer,
	`runs` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `scheduled_posts_community` ON `scheduled_posts` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `scheduled_posts_status` ON `scheduled_posts` (`status`,`kind`);