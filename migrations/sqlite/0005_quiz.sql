CREATE TABLE `quiz_answers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`text` text NOT NULL,
	`correct` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`answered_at` integer NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `quiz_rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_answers_round_member` ON `quiz_answers` (`round_id`,`member_id`);--> statement-breakpoint
CREATE TABLE `quiz_rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` integer NOT NULL,
	`n` integer NOT NULL,
	`question_id` text NOT NULL,
	`question_json` text NOT NULL,
	`seconds` integer NOT NULL,
	`status` text NOT NULL,
	`opened_at` integer,
	`due_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `quiz_sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_rounds_session_n` ON `quiz_rounds` (`session_id`,`n`);--> statement-breakpoint
CREATE INDEX `quiz_rounds_status` ON `quiz_rounds` (`status`);--> statement-breakpoint
CREATE TABLE `quiz_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`bank` text NOT NULL,
	`bank_name` text NOT NULL,
	`mode` text NOT NULL,
	`locale` text NOT NULL,
	`question_count` integer NOT NULL,
	`status` text NOT NULL,
	`started_by` integer,
	`created_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`started_by`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_sessions_running` ON `quiz_sessions` (`community_id`) WHERE status = 'running';--> statement-breakpoint
CREATE INDEX `quiz_sessions_status` ON `quiz_sessions` (`status`);