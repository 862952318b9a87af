CREATE TABLE `poll_votes` (
	`poll_id` integer NOT NULL,
	`voter` text NOT NULL,
	`option` integer NOT NULL,
	`member_id` integer,
	`created_at` integer,
	PRIMARY KEY(`poll_id`, `voter`, `option`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `polls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`question` text NOT NULL,
	`options_json` text NOT NULL,
	`multi` integer DEFAULT 1 NOT NULL,
	`anonymous` integer DEFAULT false NOT NULL,
	`hide_results` integer DEFAULT false NOT NULL,
	`ends_at` integer,
	`salt` text,
	`status` text NOT NULL,
	`results_json` text,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `polls_community` ON `polls` (`community_id`,`status`);--> statement-breakpoint
CREATE INDEX `polls_status` ON `polls` (`status`,`ends_at`);