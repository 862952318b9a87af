CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value_json` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `timer_schedulers` (
	`id` text PRIMARY KEY NOT NULL,
	`armed_at` integer NOT NULL,
	`last_tick_at` integer
);
