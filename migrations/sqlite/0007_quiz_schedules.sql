CREATE TABLE `quiz_schedule_runs` (
	`schedule_id` integer NOT NULL,
	`run_key` text NOT NULL,
	`session_id` integer,
	`fired_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quiz_schedule_runs_key` ON `quiz_schedule_runs` (`schedule_id`,`run_key`);--> statement-breakpoint
CREATE TABLE `quiz_schedules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`community_id` integer NOT NULL,
	`cron` text NOT NULL,
	`timezone` text NOT NULL,
	`options_json` text NOT NULL,
	`status` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `quiz_schedules_community` ON `quiz_schedules` (`community_id`,`status`);