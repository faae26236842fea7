// The page lives in the URL hash (#/templates) so reload, back/forward and links keep it.
import { useEffect, useState } from 'react';
import { PAGES, type PageId } from './store.ts';

function parse(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'dataset';
}

export function useRoute(): [PageId, (page: PageId) => void] {
  const [page, setPage] = useState<PageId>(() => parse(location.hash));
  useEffect(() => {
    const onHash = () => setPage(parse(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return [page, (p) => (location.hash = `#/${p}`)];
}
