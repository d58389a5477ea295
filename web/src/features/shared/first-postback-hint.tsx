/**
 * What an empty event list tells the reader to do: an admin is sent to the Link Generator (the
 * postback URLs to paste into a network, and a test postback); a viewer is told who can do it.
 */
import { Link } from 'react-router';
import { useMe } from '../../auth/use-me';

export function FirstPostbackHint() {
  const me = useMe();
  if (me.data?.user.role === 'admin')
    return (
      <>
        Send a first postback: the <Link to="/links">Link Generator</Link> writes each network’s postback URL
        and can fire a test one.
      </>
    );
  return <>Events appear here once a network sends its first postback; an admin sets them up.</>;
}
