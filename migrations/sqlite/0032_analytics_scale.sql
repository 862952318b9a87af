CREATE TABLE `analytics_members` (
	`community_id` integer NOT NULL,
	`member_id` integer NOT NULL,
	`active_day` text,
	`spoke_day` text,
	`checkin_day` text,
	PRIMARY KEY(`community_id`, `member_id`),
	FOREIGN KEY (`community_id`) REFERENCES `communities`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `analytics_members_days` ON `analytics_members` (`community_id`,`member_id`,`active_day`,`spoke_day`,`checkin_day`);--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `retained1` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `retained7` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `retained30` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `active6` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `active29` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `speakers6` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `speakers29` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `checkins6` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `checkins29` integer;--> statement-breakpoint
ALTER TABLE `analytics_daily` ADD `top_members` text;--> statement-breakpoint
ALTER TABLE `analytics_state` ADD `raw_prune_done` text;--> statement-breakpoint
ALTER TABLE `analytics_state` ADD `members_through` text;--> statement-breakpoint
CREATE INDEX `members_community_created` ON `members` (`community_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `members_community_left` ON `members` (`community_id`,`left_at`);--> statement-breakpoint
CREATE INDEX `checkins_community_day` ON `checkins` (`community_id`,`day`,`member_id`);