CREATE TABLE `wecom_webhooks` (
	`chat_id` text PRIMARY KEY NOT NULL,
	`webhook_key` text NOT NULL,
	`status` text NOT NULL,
	`bound_by` text,
	`updated_at` integer NOT NULL,
	`last_error` text
);
