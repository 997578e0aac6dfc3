// Which addresses a user-supplied URL may reach. Only ordinary public unicast: loopback, private, link-local
// (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, broadcast, unspecified and reserved ranges
// are refused, in IPv4 and IPv6 alike. An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
import ipaddr from 'ipaddr.js';

/** Says whether a URL fetch may connect to this IP address. */
export type AddressPolicy = (address: string) => boolean;

export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  let parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  // Everything ipaddr.js does not call plain 'unicast' is special-purpose (6to4, NAT64 and Teredo embed an IPv4
  // address that could be internal).
  return parsed.range() === 'unicast';
}

export const anyAddress: AddressPolicy = () => true;
