// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function BulkJob() {
  return <PageTitle>BulkJob</PageTitle>;
}
