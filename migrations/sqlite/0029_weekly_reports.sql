CREATE TABLE `analytics_weekly_reports` (
	`community_id` integer NOT NULL,
	`week` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`community_id`, `week`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
