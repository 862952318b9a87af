CREATE TABLE `member_segments` (
	`member_id` integer PRIMARY KEY NOT NULL,
	`community_id` integer NOT NULL,
	`segment` text NOT NULL,
	`since_day` text NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_segments_community` ON `member_segments` (`community_id`);--> statement-breakpoint
CREATE TABLE `segment_transitions` (
	`community_id` integer NOT NULL,
	`day` text NOT NULL,
	`from_segment` text NOT NULL,
	`to_segment` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`community_id`, `day`, `from_segment`, `to_segment`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action
);
