import { Box, Text } from "ink";
import { memo } from "react";
import { clip } from "../data/text.js";
import { theme } from "../theme.js";

export interface HeaderProps {
  title?: string;
  total: number;
  shown: number;
  paused: boolean;
  filter: string;
  error: string | null;
  width: number;
}

/** Top line: what is being watched, whether it is live, and the active filter. */
// Memoised (as is the footer): neither changes while the user scrolls, so a frame skips them.
export const Header = memo(function Header({ title = "pocketstack trace watch", total, shown, paused, filter, error, width }: HeaderProps) {
  return (
    <Box width={width}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {title}
        </Text>
        <Text color={theme.muted}> · </Text>
        <Text>{filter ? `${shown}/${total} requests` : `${total} requests`}</Text>
        <Text color={theme.muted}> · </Text>
        {paused ? <Text color={theme.warn}>❚❚ paused</Text> : <Text color={theme.ok}>● live</Text>}
        {filter ? <Text color={theme.muted}> · filter: {filter}</Text> : null}
        {error ? <Text color={theme.error}> · {error}</Text> : null}
      </Text>
    </Box>
  );
});

export interface FooterProps {
  editing: boolean;
  draft: string;
  message: string | null;
  width: number;
}

const KEYS = "↑↓ select  ⏎ open  Esc back  Tab view  / filter  p pause  e export  q quit";

/** Bottom line: the filter being typed, else the last message, else the keys. */
export const Footer = memo(function Footer({ editing, draft, message, width }: FooterProps) {
  if (editing) {
    return (
      <Text wrap="truncate">
        <Text color={theme.accent}>/</Text>
        {draft}
        <Text inverse> </Text>
        <Text color={theme.muted}> path: user: status: service: method: · ⏎ apply · Esc cancel</Text>
      </Text>
    );
  }
  return <Text color={message ? theme.warn : theme.muted}>{clip(message ?? KEYS, width)}</Text>;
});
