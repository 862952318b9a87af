CREATE TABLE `deployment` (
	`id` integer PRIMARY KEY NOT NULL,
	`instance_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `timer_schedulers` (
	`id` text PRIMARY KEY NOT NULL,
	`armed_at` integer NOT NULL,
	`last_tick_at` integer
);
