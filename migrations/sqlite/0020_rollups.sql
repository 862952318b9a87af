CREATE TABLE `analytics_daily` (
	`community_id` integer NOT NULL,
	`day` text NOT NULL,
	`members` integer NOT NULL,
	`joins` integer NOT NULL,
	`leaves` integer NOT NULL,
	`active` integer NOT NULL,
	`active7` integer NOT NULL,
	`active30` integer NOT NULL,
	`speakers` integer NOT NULL,
	`speakers7` integer NOT NULL,
	`speakers30` integer NOT NULL,
	`checkins` integer NOT NULL,
	`checkins7` integer NOT NULL,
	`checkins30` integer NOT NULL,
	`participants` integer NOT NULL,
	`participants7` integer NOT NULL,
	`participants30` integer NOT NULL,
	`messages` integer NOT NULL,
	`commands` integer NOT NULL,
	`rolled_at` integer NOT NULL,
	PRIMARY KEY(`community_id`, `day`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `analytics_state` (
	`community_id` integer PRIMARY KEY NOT NULL,
	`raw_pruned_before` text,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
