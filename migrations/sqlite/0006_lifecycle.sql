CREATE TABLE `followups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`step` integer NOT NULL,
	`due_at` integer NOT NULL,
	`status` text NOT NULL,
	`tip` text,
	`done_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `followups_member_step` ON `followups` (`member_id`,`step`);--> statement-breakpoint
CREATE INDEX `followups_status` ON `followups` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `lifecycle_daily_runs` (
	`community_id` integer NOT NULL,
	`day` text NOT NULL,
	`ran_at` integer NOT NULL,
	PRIMARY KEY(`community_id`, `day`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `lifecycle_members` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`community_id` integer NOT NULL,
	`last_text_hash` text,
	`last_point_at` integer,
	`quiet` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `member_activity` (
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`day` text NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`commands` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`capped` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`community_id`, `member_id`, `day`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_activity_day` ON `member_activity` (`community_id`,`day`);--> statement-breakpoint
CREATE INDEX `member_activity_member` ON `member_activity` (`member_id`,`day`);--> statement-breakpoint
CREATE TABLE `nudges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`day` text NOT NULL,
	`nudged_at` integer NOT NULL,
	`returned_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `nudges_member_day` ON `nudges` (`member_id`,`day`);--> statement-breakpoint
CREATE INDEX `nudges_community` ON `nudges` (`community_id`,`nudged_at`);--> statement-breakpoint
CREATE TABLE `segment_snapshots` (
	`community_id` integer NOT NULL,
	`day` text NOT NULL,
	`segment` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`community_id`, `day`, `segment`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `welcome_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`minute` integer NOT NULL,
	`due_at` integer NOT NULL,
	`status` text NOT NULL,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `welcome_batches_minute` ON `welcome_batches` (`community_id`,`minute`);--> statement-breakpoint
CREATE INDEX `welcome_batches_status` ON `welcome_batches` (`status`);--> statement-breakpoint
CREATE TABLE `welcomes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`batch_id` integer NOT NULL,
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`rejoin` integer DEFAULT 0 NOT NULL,
	`bonus` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `welcome_batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `welcomes_batch` ON `welcomes` (`batch_id`,`status`);--> statement-breakpoint
CREATE INDEX `welcomes_member` ON `welcomes` (`member_id`);