// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Reports() {
  return <PageTitle>Reports</PageTitle>;
}
