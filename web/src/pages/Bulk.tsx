// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Bulk() {
  return <PageTitle>Bulk</PageTitle>;
}
