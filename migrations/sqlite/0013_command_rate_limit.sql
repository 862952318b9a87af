CREATE TABLE `command_windows` (
	`platform` text NOT NULL,
	`community` text NOT NULL,
	`actor` text NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL,
	`noticed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`platform`, `community`, `actor`)
);
--> statement-breakpoint
CREATE INDEX `command_windows_start` ON `command_windows` (`window_start`);